import pytest

from newsbot.urls import canonical_url


@pytest.mark.parametrize(
    "a,b",
    [
        ("http://baovinhphuc.com.vn/thoi-su/1/a.html", "https://www.baovinhphuc.com.vn/thoi-su/1/a.html"),
        ("https://baocantho.com.vn/x-a1.html#comment", "https://baocantho.com.vn/x-a1.html"),
        ("https://m.baocantho.com.vn/x-a1.html?utm_source=fb&utm_medium=x", "https://baocantho.com.vn/x-a1.html"),
        ("https://baocantho.com.vn/thoi-su/", "https://baocantho.com.vn/thoi-su"),
        ("https://baocantho.com.vn/x-a1.html?fbclid=abc&zarsrc=30", "https://baocantho.com.vn/x-a1.html"),
        ("https://hoabinh.gov.vn/a?b=2&a=1", "https://hoabinh.gov.vn/a?a=1&b=2"),
        ("https://BAOCANTHO.com.vn:443/x-a1.html", "https://baocantho.com.vn/x-a1.html"),
    ],
)
def test_same_article_same_key(a: str, b: str) -> None:
    assert canonical_url(a) == canonical_url(b)


@pytest.mark.parametrize(
    "a,b",
    [
        # SharePoint item ids are per list: the list path must stay in the key.
        ("https://vinhphuc.gov.vn/ct/cms/tintuc/Lists/KinhTe/View_Detail.aspx?ItemID=13824",
         "https://vinhphuc.gov.vn/ct/cms/tintuc/Lists/ThoiSuChinhTri/View_Detail.aspx?ItemID=13824"),
        ("https://baocantho.com.vn/?p=2", "https://baocantho.com.vn/?p=3"),
        ("https://baocantho.com.vn/x-a1.html", "https://baocantho.com.vn/x-a2.html"),
        ("https://baophutho.vn/a", "https://baophutho.vn.evil.com/a"),
    ],
)
def test_different_articles_different_keys(a: str, b: str) -> None:
    assert canonical_url(a) != canonical_url(b)

# A shim for egg builds only; all metadata lives in pyproject.toml.
#
# Scrapyd deploys eggs, and `scrapyd-deploy` builds them by running `python setup.py bdist_egg`. Without this file
# scrapyd-deploy would write its own setup.py here (package name "project", find_packages(), no package data, so no
# newsbot/schema/*.json in the egg). pip builds are unchanged: setuptools' backend runs this file, which adds nothing
# to what pyproject.toml declares.
from setuptools import setup

setup()

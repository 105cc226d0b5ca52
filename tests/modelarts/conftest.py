# Fixtures and helpers live in ma_support.py (a unique module name: several test folders have a conftest,
# so ``from conftest import ...`` would pick whichever was imported first).
from ma_support import *  # noqa: F401,F403

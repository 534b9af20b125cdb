"""The offline install kit for locked-down Windows PCs (``subsidy-xl kit``): see build.py."""

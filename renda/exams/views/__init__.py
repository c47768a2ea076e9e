"""Staff pages of the exam module: the question bank (bank.py) and its files (transfer.py)."""

"""Several models on one split, side by side: model specs (``tfidf-lr``, ``default``, ``bilstm-attn:hidden=256``) and the report."""

"""Data: readers (labelled CSV tables, UTF-8 text files, pretrained vectors), batching (length buckets, padding), streams (TBPTT), subword ids.

Also holds the bundled demo set (``demo_ru_sentiment.csv``, see ``DEMO_DATA.md``).
"""

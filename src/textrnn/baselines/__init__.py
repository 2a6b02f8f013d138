"""The baselines every recurrent model is judged against: bag of words, TF-IDF (scikit-learn's and the textbook's), TF-IDF + logistic regression."""

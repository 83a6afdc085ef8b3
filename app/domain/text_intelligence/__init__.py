"""Reading complaint text: normalisation, the classifier, its evaluation, similarity, areas, topics (pure, no I/O)."""

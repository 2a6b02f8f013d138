"""One module per task: what turns model outputs into a loss, metrics and answers (classify: texts -> labels; lm: characters -> next character)."""

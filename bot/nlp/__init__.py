"""NLP: pipeline loading, who-said-what extraction, in-article speaker resolution."""

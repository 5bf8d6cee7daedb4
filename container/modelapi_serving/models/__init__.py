"""Models and what serves them: finding and loading the model file, the user's entry script, the
default pipeline and its checks, SageMaker's built-in XGBoost artifacts, and the multi-model registry.

`handler.load_handler(model_dir)` picks the handler a model directory calls for; each answers
`invoke(body, content_type, accept, defer, headers, limit)`.
"""

"""The HTTP server (``textrnn serve``): FastAPI + uvicorn over loaded models, with micro-batching.

:mod:`~textrnn.serve.app` (the application, its middleware and errors), :mod:`~textrnn.serve.models`
(a served model and its requests), :mod:`~textrnn.serve.batcher` (concurrent requests in one
forward pass), :mod:`~textrnn.serve.schemas` (request bodies and limits). Needs the ``[serve]`` extra.
"""

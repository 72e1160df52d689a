"""Model runtimes: the infrastructure that runs the shipped weights.

ONNX Runtime and PyTorch sessions, the files derived once into the model cache (the int8
sentence encoder, the float32 pair judge), and the digests that name them. The encoder
(``bot.ports.Encoder``) and the pair judge (``bot.matching.compare.PairScorer``) are built here
and handed to the core by ``adapters/bootstrap.py``; the core's pure modules (``bot.service``,
``bot.matching.compare``, the attribution rules) never import this package
(``tests/unit/test_layering.py``).
"""

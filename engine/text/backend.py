"""The text backend: one loaded base model with creators' LoRA adapters hot-swapped on it."""

import collections
import contextlib
import hashlib
from pathlib import Path

from engine.text import generate
from engine.text.base import load_base, spec_for

MAX_ADAPTERS = 8


class TextBackend:
    """Serves copy from a creator's adapter (or the bare base). Callers hold the registry's lock
    for this backend while they use it."""

    def __init__(self, settings):
        self.settings = settings
        self.spec = spec_for(settings)
        self._base = self._model = self._tokenizer = None
        self._adapters: collections.OrderedDict[str, str] = collections.OrderedDict()

    def _load(self):
        if self._base is None:
            self._base, self._tokenizer = load_base(self.spec, self.settings.threads)
            self._model = self._base

    @contextlib.contextmanager
    def _using(self, adapter_path: str | None):
        """The model with `adapter_path` active (None: adapters disabled)."""
        self._load()
        if adapter_path is None:
            if hasattr(self._model, "disable_adapter"):
                with self._model.disable_adapter():
                    yield self._model
            else:
                yield self._model
            return
        path = str(Path(adapter_path).resolve())
        name = "a" + hashlib.sha256(path.encode()).hexdigest()[:12]
        if not hasattr(self._model, "peft_config"):
            from peft import PeftModel
            self._model = PeftModel.from_pretrained(self._base, path, adapter_name=name)
        elif name not in self._model.peft_config:
            self._model.load_adapter(path, adapter_name=name)
        self._adapters[name] = path
        self._adapters.move_to_end(name)
        self._model.set_adapter(name)
        while len(self._adapters) > MAX_ADAPTERS:
            evicted, _ = self._adapters.popitem(last=False)
            self._model.delete_adapter(evicted)
        yield self._model

    def forget(self, prefix: str) -> int:
        """Unload adapters read from files under `prefix`; returns how many."""
        gone = [name for name, path in self._adapters.items() if path.startswith(prefix)]
        for name in gone:
            del self._adapters[name]
            if name not in getattr(self._model, "peft_config", {}):
                continue
            if len(self._model.peft_config) == 1:  # the last adapter: back to the bare base
                self._base = self._model = self._model.unload()
                if hasattr(self._model, "peft_config"):  # left behind by some peft versions
                    del self._model.peft_config
            else:
                if self._model.active_adapter == name:
                    self._model.set_adapter(next(n for n in self._model.peft_config if n != name))
                self._model.delete_adapter(name)
        return len(gone)

    def stream(self, adapter_path: str | None, creator_name: str, brief: str,
               max_new_tokens: int = 256, seed: int | None = None, min_new_tokens: int | None = None):
        """Yield copy for one brief as it is generated."""
        with self._using(adapter_path) as model:
            yield from generate.stream(model, self._tokenizer, creator_name, brief, max_new_tokens,
                                       seed, min_new_tokens)

    def chat(self, messages: list[dict], max_new_tokens: int = 40, seed: int = 0,
             sentences: int | None = None):
        """Yield the bare base model's reply to a chat (the assistant's phrasing) as it is generated."""
        with self._using(None) as model:
            yield from generate.chat_stream(model, self._tokenizer, messages, max_new_tokens, seed,
                                            sentences=sentences)

    def batch(self, adapter_path: str | None, creator_name: str, briefs: list[str],
              max_new_tokens: int = 256, seed: int = 0) -> list[str]:
        """Copy for many briefs at once."""
        with self._using(adapter_path) as model:
            return generate.batch(model, self._tokenizer, creator_name, briefs, max_new_tokens, seed)

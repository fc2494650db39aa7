"""Sampling copy from a (possibly adapted) causal LM: streamed for buyers, batched for judging."""

import functools
import threading

from engine.text.base import encode_prompt

# Measured on the demo copywriters (bench/text_model.py): without the n-gram block the 135M model
# loops on a phrase and the judge finds the draft untypical; a lower temperature drops garbled words.
SAMPLING = {"do_sample": True, "temperature": 0.5, "top_p": 0.9, "repetition_penalty": 1.05,
            "no_repeat_ngram_size": 3}
MIN_NEW_TOKENS = 24  # never an empty draft
OPENER_TOKENS = 2  # no two sentences of a draft open with the same first two tokens


@functools.lru_cache(maxsize=8)
def sentence_end_ids(tokenizer) -> frozenset:
    """Token ids whose text ends a sentence (., ! or ?) or holds a line break."""
    texts = tokenizer.batch_decode([[i] for i in range(len(tokenizer))])
    return frozenset(i for i, text in enumerate(texts)
                     if text.rstrip()[-1:] in (".", "!", "?") or "\n" in text)


def opener_blocker(tokenizer, prompt_len: int, size: int = OPENER_TOKENS):
    """A logits processor that stops a sentence opening like an earlier sentence of the same draft.

    The 135M model otherwise reuses one of the creator's openers ("Meet our ...", "Go on, ...")
    two or three times in a draft, which no writer does.
    """
    from transformers import LogitsProcessor

    ends = sentence_end_ids(tokenizer)

    class NoRepeatedOpeners(LogitsProcessor):
        def __call__(self, input_ids, scores):
            for row, ids in enumerate(input_ids[:, prompt_len:].tolist()):
                sentences, current = [], []
                for token in ids:
                    current.append(token)
                    if token in ends:
                        sentences.append(current)
                        current = []
                if len(current) >= size:
                    continue
                banned = {s[len(current)] for s in sentences
                          if len(s) > len(current) and s[:len(current)] == current}
                if banned:
                    scores[row, sorted(banned)] = -float("inf")
            return scores

    return NoRepeatedOpeners()


def _ids(tokenizer, creator_name: str, brief: str):
    import torch
    return torch.tensor([encode_prompt(tokenizer, creator_name, brief)])


def stream(model, tokenizer, creator_name: str, brief: str, max_new_tokens: int = 256,
           seed: int | None = None, min_new_tokens: int | None = None):
    """Yield the copy for one brief as it is generated (min_new_tokens: for timing runs)."""
    import torch

    ids = _ids(tokenizer, creator_name, brief)
    if seed is not None:
        torch.manual_seed(seed)
    yield from _streamed(model, tokenizer, ids, logits_processor=[opener_blocker(tokenizer, ids.shape[1])],
                         max_new_tokens=max_new_tokens,
                         min_new_tokens=min(min_new_tokens or MIN_NEW_TOKENS, max_new_tokens), **SAMPLING)


def _streamed(model, tokenizer, ids, **generate_kwargs):
    """Yield the text `model.generate` writes after `ids`, generated in a worker thread; an error
    there is raised here."""
    import torch
    from transformers import TextIteratorStreamer

    streamer = TextIteratorStreamer(tokenizer, skip_prompt=True, skip_special_tokens=True)
    errors = []

    def run():
        try:
            with torch.no_grad():
                model.generate(ids, attention_mask=torch.ones_like(ids), streamer=streamer,
                               pad_token_id=tokenizer.pad_token_id, eos_token_id=tokenizer.eos_token_id,
                               **generate_kwargs)
        except Exception as exc:  # re-raised in the caller's thread below
            errors.append(exc)
            streamer.end()

    worker = threading.Thread(target=run, daemon=True)
    worker.start()
    yield from streamer
    worker.join()
    if errors:
        raise errors[0]


def batch(model, tokenizer, creator_name: str, briefs: list[str], max_new_tokens: int = 256,
          seed: int = 0, batch_size: int = 8, progress=None) -> list[str]:
    """Copy for many briefs (left-padded batches); progress(done, total) after each batch."""
    import torch

    torch.manual_seed(seed)
    outputs = []
    for start in range(0, len(briefs), batch_size):
        prompts = [encode_prompt(tokenizer, creator_name, b) for b in briefs[start:start + batch_size]]
        width = max(len(p) for p in prompts)
        ids = torch.tensor([[tokenizer.pad_token_id] * (width - len(p)) + p for p in prompts])
        mask = torch.tensor([[0] * (width - len(p)) + [1] * len(p) for p in prompts])
        with torch.no_grad():
            out = model.generate(ids, attention_mask=mask, max_new_tokens=max_new_tokens,
                                 logits_processor=[opener_blocker(tokenizer, width)],
                                 min_new_tokens=min(MIN_NEW_TOKENS, max_new_tokens),
                                 pad_token_id=tokenizer.pad_token_id,
                                 eos_token_id=tokenizer.eos_token_id, **SAMPLING)
        outputs += [tokenizer.decode(row[width:], skip_special_tokens=True).strip() for row in out]
        if progress:
            progress(len(outputs), len(briefs))
    return outputs


def chat_stream(model, tokenizer, messages: list[dict], max_new_tokens: int = 40, seed: int = 0,
                max_prompt_tokens: int = 384, sentences: int | None = None):
    """Yield the text of the model's reply to a chat (role/content messages) as it is generated,
    stopping after `sentences` sentences when given. A prompt longer than `max_prompt_tokens`
    keeps its first message (the instructions) and the end of the rest."""
    import torch
    from transformers import StoppingCriteria, StoppingCriteriaList

    ends = sentence_end_ids(tokenizer)

    class EnoughSentences(StoppingCriteria):
        def __call__(self, input_ids, scores, **kwargs):
            new = input_ids[0, prompt_len:].tolist()
            return sentences is not None and len(new) >= 4 and sum(t in ends for t in new) >= sentences

    head = tokenizer.apply_chat_template(messages[:1], tokenize=False)
    full = tokenizer.apply_chat_template(messages, tokenize=False, add_generation_prompt=True)
    head_ids = tokenizer(head, add_special_tokens=False)["input_ids"]
    rest_ids = tokenizer(full[len(head):], add_special_tokens=False)["input_ids"]
    rest_ids = rest_ids[-max(16, max_prompt_tokens - len(head_ids)):]
    ids = torch.tensor([head_ids + rest_ids])
    prompt_len = ids.shape[1]
    torch.manual_seed(seed)
    yield from _streamed(model, tokenizer, ids, max_new_tokens=max_new_tokens, do_sample=True, temperature=0.5,
                         top_p=0.9, repetition_penalty=1.1,
                         stopping_criteria=StoppingCriteriaList([EnoughSentences()]))

"""Items with ground truth: listed in the scenario or generated (labels from a seeded RNG, data from Faker)."""
from __future__ import annotations

import random
from functools import lru_cache


def _faker():
    """The ``Faker`` class, imported when a scenario first asks for fake data (a twentieth of a second
    at startup otherwise, for the scenarios, most of them, that ask none)."""
    from faker import Faker

    return Faker


@lru_cache(maxsize=1)
def _probe():
    return _faker()()


def check_providers(doc: dict, origin: str) -> None:
    for i, source in enumerate(doc.get("sources", [])):
        for fld, provider in ((source.get("generate") or {}).get("data") or {}).items():
            if provider.startswith("_") or not callable(getattr(_probe(), provider, None)):
                raise ValueError(f"{origin}: sources[{i}].generate.data.{fld}: {provider!r} is not a Faker provider")


def _jsonable(value):
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    return str(value)


def generate(source_id: str, gen: dict, seed: int) -> list[dict]:
    """``gen['count']`` items of ``source_id``; the same seed gives the same items."""
    count = gen["count"]
    prefix = gen.get("id_prefix", "item-")
    width = max(4, len(str(count)))
    labels = gen.get("labels") or ["cat", "dog"]
    weights = gen.get("weights")
    kind = gen.get("kind", "classification")
    lo, hi = gen.get("objects", [1, 3])
    w_img, h_img = gen.get("width", 640), gen.get("height", 480)
    rng = random.Random(f"{seed}\x1fitems\x1f{source_id}")
    fields = gen.get("data") or {}
    fake = None
    if fields:
        fake = _faker()()
        fake.seed_instance(rng.getrandbits(64))
    cum = None
    if weights:
        total = float(sum(weights)) or 1.0
        acc, cum = 0.0, []
        for w in weights:
            acc += w / total
            cum.append(acc)
    out = []
    for i in range(1, count + 1):
        item_id = f"{prefix}{i:0{width}d}"
        if kind == "detection":
            truth = []
            for _ in range(rng.randint(lo, hi)):
                bw, bh = rng.uniform(0.1, 0.4) * w_img, rng.uniform(0.1, 0.4) * h_img
                x0, y0 = rng.uniform(0, w_img - bw), rng.uniform(0, h_img - bh)
                truth.append({"concept": _pick(rng, labels, cum),
                              "box": [round(x0, 1), round(y0, 1), round(x0 + bw, 1), round(y0 + bh, 1)]})
        else:
            truth = [{"concept": _pick(rng, labels, cum)}]
        data = {"url": f"https://images.example.test/{source_id.replace(':', '/')}/{item_id}.jpg"}
        for fld, provider in fields.items():
            data[fld] = _jsonable(getattr(fake, provider)())
        out.append({"id": item_id, "data": data, "ground_truth": truth})
    return out


def _pick(rng: random.Random, labels: list[str], cum: list[float] | None) -> str:
    if cum is None:
        return labels[int(rng.random() * len(labels))]
    r = rng.random()
    for label, c in zip(labels, cum):
        if r < c:
            return label
    return labels[-1]

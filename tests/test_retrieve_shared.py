"""One search for one question asked twice at once (the UI's sources event and the chat's answer)."""

import time
from concurrent.futures import ThreadPoolExecutor

from index.store import mark_synced


def test_the_same_question_at_once_is_searched_once_and_a_changed_index_searches_again(engine, monkeypatch):
    calls: list[str] = []
    real = engine.retriever.embed_query

    def counting(question: str):
        calls.append(question)
        time.sleep(0.3)  # the second caller arrives while the first is still searching
        return real(question)

    monkeypatch.setattr(engine.retriever, "embed_query", counting)
    question = "Quelle marge bénéficiaire DeepSeek a-t-elle revendiquée selon ses propres calculs ?"
    with ThreadPoolExecutor(2) as pool:
        first, second = pool.map(lambda _: engine.preview(question), range(2))
    assert len(calls) == 1
    assert [p.id for p in first.retrieved] == [p.id for p in second.retrieved] != []

    engine.preview("Une autre question sur DeepSeek ?")
    assert len(calls) == 2
    mark_synced(engine.retriever.collection)  # what every ingest does: results may have changed
    engine.preview(question)
    assert len(calls) == 3

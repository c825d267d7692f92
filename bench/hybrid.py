"""Does hybrid search rank better than words or meaning alone? A labelled evaluation.

Forty documentary-transcript lines are the targets, hidden among distractor lines built from
the same vocabulary of harbours, schools, archives and weather. Each target has three queries
written by hand: *literal* (its own distinctive words), *paraphrase* (the same meaning, no
content word in common) and *mixed* (one shared word, the rest paraphrased). Each method ranks
the whole catalog; the score is the reciprocal rank of the target (MRR, 0 when not in the top
10) and how often it is first or in the top five.

    .venv/bin/python bench/hybrid.py              # ~1,000 lines, ~1 min on the 2-core machine
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from rushes.catalog import open_catalog
from rushes.catalog.assets import add_asset, put_location
from rushes.catalog.transcripts import SegmentRow, store_transcript
from rushes.search import search
from rushes.search.hybrid import hybrid_search, word_query
from rushes.search.semantic import semantic_search

# (target line, literal query, paraphrase query, mixed query)
CASES = [
    ("The harbour master said the boats left before dawn.",
     "harbour master boats", "when did the fishing vessels depart", "boats went out early"),
    ("My father kept the lighthouse lamp burning for forty years.",
     "lighthouse lamp forty years", "dad tended the coastal beacon for decades",
     "father looked after the beacon"),
    ("The names of the children were never published.",
     "names children published", "nobody released the kids' identities",
     "children stayed anonymous"),
    ("We buried the letters under the floor of the schoolhouse.",
     "letters floor schoolhouse", "hid correspondence beneath classroom boards",
     "letters hidden under the boards"),
    ("The police came at night and took the headmaster away.",
     "police headmaster night", "officers arrested the principal after dark",
     "headmaster was arrested"),
    ("The earthquake destroyed the school in less than a minute.",
     "earthquake destroyed school", "the tremor flattened the classrooms within seconds",
     "school collapsed in the tremor"),
    ("Nobody would tell us how many students died.",
     "students died", "the authorities hid the number of pupils killed",
     "how many students were killed was kept secret"),
    ("The cement in the columns crumbled like biscuits.",
     "cement columns crumbled", "the concrete pillars were weak and fell apart",
     "columns made of poor concrete"),
    ("My mother sewed the flags for the parade every spring.",
     "mother sewed flags parade", "mum stitched banners for the yearly procession",
     "flags stitched by mum"),
    ("The factory closed and half the town left for the city.",
     "factory closed town city", "the plant shut down and people moved away to find work",
     "town emptied after the factory"),
    ("We listened to foreign radio under a blanket so the neighbours would not hear.",
     "foreign radio blanket neighbours", "secretly tuned in to overseas broadcasts at home",
     "radio hidden from the people next door"),
    ("The archive burned in the fire of nineteen seventy-six.",
     "archive burned fire", "the records were lost when the building went up in flames",
     "archive lost to flames"),
    ("He photographed every house on the street before it was demolished.",
     "photographed house street demolished",
     "took pictures of the homes before the bulldozers came",
     "pictures of every house before demolition"),
    ("The river flooded the fields and ruined the harvest.",
     "river flooded fields harvest", "high water drowned the crops that year",
     "flooded crops"),
    ("She wrote the blog at night after her children were asleep.",
     "wrote blog night children asleep", "she posted online late once the kids were in bed",
     "blog written late at night"),
    ("The censors deleted her posts within an hour.",
     "censors deleted posts hour",
     "the authorities removed what she published online almost at once",
     "posts removed quickly"),
    ("The trawler sank in the storm with six men aboard.",
     "trawler sank storm six men", "a fishing boat went down in bad weather with its crew",
     "crew lost when the trawler went down"),
    ("Grandfather built the chapel with stones from the beach.",
     "grandfather built chapel stones beach",
     "my grandad made the little church from pebbles by the sea",
     "chapel of beach stones"),
    ("The teacher hid the textbooks when the inspectors arrived.",
     "teacher hid textbooks inspectors",
     "the schoolmistress concealed the books from the officials",
     "books hidden from inspectors"),
    ("They paid the families to stay silent.",
     "paid families silent", "parents were given money to keep quiet",
     "families bribed to keep quiet"),
    ("The bridge was finished three years late and already cracked.",
     "bridge finished three years late cracked",
     "the crossing opened long after schedule with faults",
     "late bridge with cracks"),
    ("Every winter the ice closed the harbour for two months.",
     "winter ice closed harbour", "the port froze over each cold season",
     "harbour frozen in winter"),
    ("The mine flooded and the village lost its only work.",
     "mine flooded village work", "water filled the pit and the town's jobs vanished",
     "village jobs ended when the mine flooded"),
    ("She kept a diary in a code only her sister could read.",
     "diary code sister", "her journal was written in a cipher for her sibling",
     "secret diary for her sister"),
    ("The soldiers counted everyone in the square twice.",
     "soldiers counted square", "troops made a headcount of the crowd in the plaza",
     "soldiers did a headcount"),
    ("The ferry stopped running after the new road opened.",
     "ferry stopped road opened", "the boat service ended once the highway was built",
     "ferry ended by the new road"),
    ("Our street had the first television in the district.",
     "street first television district", "we were the earliest neighbourhood with a TV set",
     "first television set nearby"),
    ("The doctor treated the wounded in the church because the hospital had collapsed.",
     "doctor wounded church hospital collapsed",
     "injured people were cared for in the chapel after the clinic fell",
     "church used as a hospital"),
    ("He smuggled the film out of the country in a tin of tea.",
     "smuggled film country tin tea", "the footage left the nation hidden in a tea caddy",
     "film hidden in tea"),
    ("The orchard was cut down to build the airport.",
     "orchard cut down airport", "fruit trees were felled to make way for the runway",
     "orchard lost to the airport"),
    ("Father repaired the nets on the quay every Sunday.",
     "father repaired nets quay Sunday", "dad mended fishing gear at the dock each weekend",
     "nets mended on the quay"),
    ("The school bell was the only thing left standing.",
     "school bell left standing", "nothing survived except the ringing tower of the classroom",
     "only the bell survived"),
    ("We had to queue for bread before sunrise.",
     "queue bread sunrise", "people lined up for loaves early in the morning",
     "bread lines at dawn"),
    ("The volunteers dug through the rubble with their bare hands.",
     "volunteers dug rubble bare hands", "helpers searched the debris without tools",
     "digging through the debris"),
    ("The committee never published its report on the collapse.",
     "committee published report collapse",
     "the inquiry's findings about the disaster were withheld",
     "report on the collapse was withheld"),
    ("Her brother emigrated to Canada and never wrote again.",
     "brother emigrated Canada never wrote", "her sibling moved abroad and stopped sending letters",
     "brother moved abroad"),
    ("The lighthouse keeper's log records every ship that passed.",
     "lighthouse keeper log ship", "the beacon's logbook lists all vessels going by",
     "keeper's logbook of vessels"),
    ("The market moved indoors after the riots.",
     "market moved indoors riots", "traders went under cover following the unrest",
     "market after the unrest"),
    ("They renamed the street after the general in nineteen fifty.",
     "renamed street general", "the road got the commander's name after the war",
     "street named for the commander"),
    ("The photographs were found in a suitcase in the attic.",
     "photographs found suitcase attic", "the pictures turned up in a case in the loft",
     "photos discovered in the loft"),
]

NOUNS = ["harbour", "school", "street", "village", "market", "church", "river", "factory",
         "archive", "bridge", "road", "field", "house", "square", "office", "station", "shop",
         "garden", "kitchen", "train", "letter", "photograph", "teacher", "farmer", "fisherman",
         "neighbour", "cousin", "mayor", "clerk", "nurse", "priest", "student", "driver"]
VERBS = ["painted", "visited", "cleaned", "opened", "closed", "remembered", "described",
         "watched", "carried", "sold", "moved", "fixed", "counted", "locked", "followed"]
WHEN = ["in the morning", "every summer", "after lunch", "on Tuesdays", "last year",
        "during the holidays", "before the election", "when it rained", "at the weekend"]


def distractors(n: int, rng: random.Random) -> list[str]:
    out = set()
    while len(out) < n:
        out.add(f"The {rng.choice(NOUNS)} {rng.choice(VERBS)} the {rng.choice(NOUNS)} "
                f"{rng.choice(WHEN)}.")
    return sorted(out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--distractors", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    lines = [c[0] for c in CASES] + distractors(args.distractors, rng)
    rng.shuffle(lines)
    work = Path(tempfile.mkdtemp(prefix="rushes-bench-hybrid-"))
    catalog = open_catalog(f"sqlite:///{work / 'catalog.db'}")
    asset = "e" * 64
    with catalog.write() as conn:
        add_asset(conn, asset, "video", "mov", 1)
        put_location(conn, asset, b"/archive/interviews.mov", 1, 0)
        store_transcript(conn, asset, "import:srt", "en", [
            SegmentRow(i * 3_000_000, i * 3_000_000 + 2_500_000, text, None, ())
            for i, text in enumerate(lines)
        ])
    cache = work / "cache"
    started = time.perf_counter()
    semantic_search(catalog, cache, "warm up", limit=1)  # embeds the whole catalog once
    print(f"{len(lines)} lines ({len(CASES)} targets), embedded in "
          f"{time.perf_counter() - started:.1f} s")

    methods: dict[str, Callable[[str], list[str]]] = {
        "words (AND, the default)": lambda q: [h.text for h in search(catalog, q, limit=10).hits],
        "words (OR of content words)": lambda q: [
            h.text for h in search(catalog, word_query(q), limit=10).hits],
        "hybrid, words as OR": lambda q: [
            h.text for h in hybrid_search(catalog, cache, q, limit=10, any_word=True).hits],
        "meaning (--semantic)": lambda q: [
            h.text for h in semantic_search(catalog, cache, q, limit=10).hits],
        "hybrid (--hybrid)": lambda q: [
            h.text for h in hybrid_search(catalog, cache, q, limit=10).hits],
    }
    kinds = ["literal", "paraphrase", "mixed"]
    print()
    print("| method | " + " | ".join(f"{k} MRR | {k} @1 | {k} @5" for k in kinds)
          + " | all MRR | ms/query |")
    print("|---|" + "---:|" * (3 * len(kinds) + 2))
    for name, run in methods.items():
        cells = []
        total_rr = 0.0
        elapsed = 0.0
        for ki in range(len(kinds)):
            rr = first = five = 0.0
            for case in CASES:
                t0 = time.perf_counter()
                ranked = run(case[ki + 1])
                elapsed += time.perf_counter() - t0
                rank = ranked.index(case[0]) + 1 if case[0] in ranked else None
                rr += 1 / rank if rank else 0.0
                first += rank == 1
                five += bool(rank and rank <= 5)
            n = len(CASES)
            total_rr += rr
            cells += [f"{rr / n:.2f}", f"{first / n:.0%}", f"{five / n:.0%}"]
        per_query = elapsed / (len(CASES) * len(kinds)) * 1000
        print(f"| {name} | " + " | ".join(cells)
              + f" | {total_rr / (len(CASES) * len(kinds)):.2f} | {per_query:.1f} |")
    catalog.close()


if __name__ == "__main__":
    main()

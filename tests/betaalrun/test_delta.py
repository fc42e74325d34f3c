"""Payment lines and verrekening as pure functions: conservation under any sequence of late
changes (rekenregels §4)."""
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from lks.betaalrun.delta import PAID_COLUMNS, payment_lines, verreken

PERIODES = ["2025-01", "2025-02", "2025-03", "2025-04"]


def calc_frame(amounts: dict) -> pd.DataFrame:
    rows = [dict(plaatsing_id=p, werkgever_id=w, regeling="lks", budget=b, periode=m,
                 lks_basis=v, werkgeverslasten=0, lks_totaal=v)
            for (p, w, b, m), v in amounts.items()]
    return pd.DataFrame(rows, columns=["plaatsing_id", "werkgever_id", "regeling", "budget", "periode",
                                       "lks_basis", "werkgeverslasten", "lks_totaal"])


def test_late_loonwaarde_gives_corrections_plus_current_month():
    paid = pd.DataFrame(columns=PAID_COLUMNS)
    first = calc_frame({("P1", "W1", "buig", m): 100_00 for m in PERIODES[:3]})
    lines = payment_lines(first, paid, "2025-03")
    assert list(lines["soort"]) == ["correctie", "correctie", "regulier"]
    paid = lines.assign(bedrag=lines["bedrag"])[PAID_COLUMNS]
    # a loonwaarde effective January, known in April: three corrections plus April
    later = calc_frame({("P1", "W1", "buig", m): 80_00 for m in PERIODES})
    lines = payment_lines(later, paid, "2025-04")
    assert list(zip(lines["periode"], lines["soort"], lines["bedrag"])) == [
        ("2025-01", "correctie", -20_00), ("2025-02", "correctie", -20_00),
        ("2025-03", "correctie", -20_00), ("2025-04", "regulier", 80_00)]


def test_month_no_longer_calculated_is_taken_back():
    paid = payment_lines(calc_frame({("P1", "W1", "buig", "2025-01"): 50_00}),
                         pd.DataFrame(columns=PAID_COLUMNS), "2025-01")[PAID_COLUMNS]
    lines = payment_lines(calc_frame({}), paid, "2025-02")
    assert list(lines["bedrag"]) == [-50_00]


def test_verrekening_carries_vordering_and_sets_it_off_later():
    lines = pd.DataFrame(dict(werkgever_id=["W1", "W1", "W2"], budget=["buig"] * 3,
                              bedrag=[-300_00, 100_00, 50_00]))
    v = verreken(lines, pd.DataFrame(columns=["vordering_id", "werkgever_id", "budget", "open"]))
    assert list(v.betalingen["werkgever_id"]) == ["W2"]
    assert list(v.nieuwe_vorderingen["bedrag"]) == [200_00]
    # next run: W1 earns 150 → all set off, no transaction; then 100 → 50 set off, 50 paid
    open_ = pd.DataFrame(dict(vordering_id=[7], werkgever_id=["W1"], budget=["buig"], open=[200_00]))
    v = verreken(pd.DataFrame(dict(werkgever_id=["W1"], budget=["buig"], bedrag=[150_00])), open_)
    assert list(v.betalingen["bedrag"]) == [0] and list(v.aflossingen["bedrag"]) == [150_00]


def test_budgets_are_never_set_off_against_each_other():
    lines = pd.DataFrame(dict(werkgever_id=["W1", "W1"], budget=["buig", "reintegratie"],
                              bedrag=[100_00, -40_00]))
    v = verreken(lines, pd.DataFrame(columns=["vordering_id", "werkgever_id", "budget", "open"]))
    assert list(v.betalingen["bedrag"]) == [100_00]
    assert list(zip(v.nieuwe_vorderingen["budget"], v.nieuwe_vorderingen["bedrag"])) == [("reintegratie", 40_00)]


keys = st.tuples(st.sampled_from(["P1", "P2", "P3"]), st.sampled_from(PERIODES))
states = st.dictionaries(keys, st.integers(0, 3000_00), max_size=12)


@settings(max_examples=300, deadline=None)
@given(st.lists(states, min_size=1, max_size=6))
def test_conservation(sequence):
    """After any sequence of runs with changing knowledge: Σ paid per plaatsing-month equals
    the final calculation, no SEPA amount is ≤ 0, and money is conserved through vorderingen."""
    werkgever = {"P1": ("W1", "buig"), "P2": ("W1", "reintegratie"), "P3": ("W2", "buig")}
    paid = pd.DataFrame(columns=PAID_COLUMNS)
    vorderingen = pd.DataFrame(columns=["vordering_id", "werkgever_id", "budget", "open"])
    sepa_total = 0
    next_id = 1
    for state in sequence:
        frame = calc_frame({(p, *werkgever[p], m): v for (p, m), v in state.items()})
        lines = payment_lines(frame, paid, PERIODES[-1])
        v = verreken(lines, vorderingen)
        assert (v.betalingen["bedrag"] >= 0).all()
        sepa_total += int(v.betalingen["bedrag"].sum())
        paid = pd.concat([paid, lines[PAID_COLUMNS]], ignore_index=True)
        # book the verrekening onto the open vorderingen, add new ones
        vorderingen = vorderingen.set_index("vordering_id")
        for vid, af in v.aflossingen.itertuples(index=False):
            vorderingen.loc[vid, "open"] -= af
        vorderingen = vorderingen[vorderingen["open"] > 0].reset_index()
        for w, b, amount in v.nieuwe_vorderingen.itertuples(index=False):
            vorderingen.loc[len(vorderingen)] = [next_id, w, b, amount]
            next_id += 1
    final = sequence[-1]
    totals = paid.groupby(["plaatsing_id", "periode"])["bedrag"].sum()
    for (p, m), amount in totals.items():
        assert amount == final.get((p, m), 0)
    for (p, m), amount in final.items():
        assert totals.get((p, m), 0) == amount
    assert int(paid["bedrag"].sum()) == sepa_total - int(vorderingen["open"].sum())

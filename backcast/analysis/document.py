"""Results as one JSON-ready document: what the API returns and the exports carry."""

from __future__ import annotations

from typing import Any

from backcast.analysis.data import load_workshop
from backcast.analysis.results import (
    FEWER_THAN,
    MIN_GROUP_RATERS,
    RANK_ORDER,
    Figures,
    Results,
    compute_results,
)
from backcast.analysis.stats import CONSENSUS_IQR_SHARE, CONSENSUS_MIN_N, QUANTILE_METHOD, Summary
from backcast.db import Database
from backcast.models import Workshop

METHOD: dict[str, Any] = {
    "quantiles": QUANTILE_METHOD,
    "sd": "sample standard deviation (n - 1); null when n < 2",
    "consensus": (
        f"IQR <= {CONSENSUS_IQR_SHARE} of the scale's range (1 on a 1-5 scale) and n >= {CONSENSUS_MIN_N}"
    ),
    "score": "weighted mean of the criteria's means, each put on 0-1 (1 the better end of its scale)",
    "rank_order": list(RANK_ORDER),
    "ties": "equal score, dots and raters share a rank (1, 2, 2, 4)",
    "min_group_raters": MIN_GROUP_RATERS,
    "docs": "docs/results.md",
}


def summary_document(summary: Summary | None) -> dict[str, Any]:
    if summary is None:
        return {"shown": False, "reason": FEWER_THAN}
    return {
        "shown": True,
        "n": summary.n,
        "n_cant_judge": summary.n_cant_judge,
        "cant_judge_share": summary.cant_judge_share,
        "mean": summary.mean,
        "median": summary.median,
        "sd": summary.sd,
        "q1": summary.q1,
        "q3": summary.q3,
        "iqr": summary.iqr,
        "min": summary.min,
        "max": summary.max,
        "counts": {str(value): count for value, count in summary.counts.items()},
        "consensus": summary.consensus,
    }


def figures_document(figures: Figures | None) -> dict[str, Any]:
    if figures is None:
        return {"shown": False, "reason": FEWER_THAN}
    return {
        "shown": True,
        "rank": figures.rank,
        "score": None if figures.score is None else float(figures.score),
        "score_criteria": list(figures.score_criteria),
        "dots": figures.dots,
        "raters": figures.raters,
        "criteria": {key: summary_document(summary) for key, summary in figures.criteria.items()},
    }


def results_document(workshop: Workshop, results: Results) -> dict[str, Any]:
    return {
        "workshop": {"code": workshop.code, "title": workshop.title, "phase": workshop.phase},
        "round": results.round,
        "rounds": workshop.current_round,
        # The rule the facilitator fixed before round 1; `consensus` per criterion below follows
        # `method.consensus`.
        "consensus_rule": {
            "rule": workshop.consensus_rule,
            "iqr_share": workshop.consensus_iqr_share,
            "top_k": workshop.consensus_top_k,
            "threshold": workshop.consensus_threshold,
            "planned_rounds": workshop.planned_rounds,
        },
        "method": METHOD,
        "participants": results.participants,
        "criteria": [
            {
                "key": criterion.key,
                "label": criterion.label,
                "scale_min": criterion.scale_min,
                "scale_max": criterion.scale_max,
                "weight": criterion.weight,
                "direction": criterion.direction,
            }
            for criterion in results.criteria
        ],
        "groups": [
            {"key": group.key, "label": group.label, "participants": results.group_participants[group.key]}
            for group in results.groups
        ],
        "items": [
            {
                "item_id": result.item.id,
                "kind": result.item.kind,
                "text": result.item.text,
                **figures_document(result.overall),
                "groups": {key: figures_document(figures) for key, figures in result.groups.items()},
            }
            for result in results.items
        ],
    }


def workshop_results(db: Database, workshop: Workshop, round_: int | None = None) -> dict[str, Any]:
    """The results of a workshop's round (the latest unless given), as the API returns them and
    the exports carry them."""
    return results_document(workshop, compute_results(load_workshop(db, workshop, round_)))

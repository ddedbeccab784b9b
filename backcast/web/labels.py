"""Names and prompts of the phases and kinds, marked for translation (built-in content)."""

from __future__ import annotations

from backcast.enums import Phase
from backcast.i18n import N_

PHASE_LABELS: dict[Phase, str] = {
    Phase.lobby: N_("Lobby"),
    Phase.vision: N_("Vision"),
    Phase.milestones: N_("Milestones"),
    Phase.needs: N_("Needs"),
    Phase.measures: N_("Measures"),
    Phase.rating: N_("Rating"),
    Phase.prioritisation: N_("Prioritisation"),
    Phase.results: N_("Results"),
}

PHASE_PROMPTS = {
    "lobby": N_("The workshop starts soon. Keep this page open: it changes by itself."),
    "vision": N_(
        "Imagine %(year)d: our goal has been reached. Describe that future: what is different then?"
    ),
    "milestones": N_("What must be true on the way there? Name a milestone and the year it is reached."),
    "needs": N_(
        "What does a milestone need: resources, skills, partnerships, infrastructure, rules, data? "
        "Which barriers stand in the way?"
    ),
    "measures": N_("Which key measures meet these needs?"),
    "rating": N_("Rate each measure on every criterion. Choose “can't judge” where you cannot judge it."),
    "prioritisation": N_("Spread your dots over the measures that matter most to you."),
    "results": N_("Thank you! The results are on the screen."),
}

KIND_NAMES = {
    "vision": N_("Vision statement"),
    "milestone": N_("Milestone"),
    "need": N_("Need"),
    "measure": N_("Measure"),
}

PARENT_QUESTIONS = {
    "need": N_("Which milestones does it serve?"),
    "measure": N_("Which needs does it meet?"),
}

ASSIGN_NAMES = {
    "balanced": N_("balanced across groups"),
    "random": N_("at random"),
    "choice": N_("each chooses"),
}

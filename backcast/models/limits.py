"""Sizes of what people type. The database enforces the same bounds with CHECK constraints."""

CODE_LENGTH = 6
TITLE_MAX = 200
QUESTION_MAX = 1000
DESCRIPTION_MAX = 5000
REGION_MAX = 100
# "Bremen 2026": a workshop's region or title and its year.
CARRIED_LABEL_MAX = TITLE_MAX + 5
ITEM_TEXT_MAX = 500
NAME_MAX = 60
CONSENT_MAX = 5000
PRIVACY_MAX = 10000
EMAIL_MAX = 254
KEY_MAX = 32
LABEL_MAX = 100
NOTE_MAX = 1000
OWNER_MAX = 200
CLIENT_KEY_MAX = 64
YEAR_MIN = 1900
YEAR_MAX = 2300
DOT_BUDGET_MAX = 100
# No item can hold more dots than the largest budget; the phone's form and the API say the same.
DOTS_PER_ITEM_MAX = DOT_BUDGET_MAX
SCALE_MIN = 0
SCALE_MAX = 100
MILESTONE_YEARS_MAX = 20
TEMPLATE_KEY_MAX = 60
TEMPLATE_BODY_MAX = 256 * 1024
MAX_LINKS = 30

"""Return visits (回访) and anti-rebound checks (防反弹): asking workers, after a case is
resolved, whether they were paid and how it went, and acting on what they say.

``plan_return_visit`` is called where a case becomes resolved. Importing this package
registers the survey's due work, buttons and comment flow.
"""

from handlers.survey_policy import SurveyPolicy
from handlers.surveys import answer, delivery  # noqa: F401 - they register themselves
from handlers.surveys.plan import plan_return_visit

__all__ = ["SurveyPolicy", "plan_return_visit"]

"""Return visits (回访) and anti-rebound checks (防反弹): asking workers, after a case is
resolved, whether they were paid and how it went, and acting on what they say.

``plan_return_visit`` is called where a case becomes resolved. The survey's buttons and comment
flow are listed in ``handlers.router``, its due work in ``handlers.due_work``.
"""

from handlers.survey_policy import SurveyPolicy
from handlers.surveys.plan import plan_return_visit

__all__ = ["SurveyPolicy", "plan_return_visit"]

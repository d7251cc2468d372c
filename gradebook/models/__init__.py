"""Models of the e-register, split by topic (grades now; attendance and the
class register will sit beside them)."""

from .grades import (  # noqa: F401
    Assessment,
    BehaviourGrade,
    Grade,
    GradeCategory,
    GradeHistory,
    GradingSettings,
    RegisterVisit,
    TermGrade,
    TermStatus,
)

"""Training by doing: role steps on a practice organisation, progress in the store, session reports."""

from sferum_lib.training.session import ROLES, Feedback, StepProgress, Training
from sferum_lib.training.steps import STEPS, Field, Question, Step

__all__ = ["ROLES", "STEPS", "Feedback", "Field", "Question", "Step", "StepProgress", "Training"]

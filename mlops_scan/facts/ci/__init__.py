"""CI definitions normalised to pipelines: system, triggers, jobs and the commands their steps run."""

from mlops_scan.facts.ci.model import Job, Pipeline, Step
from mlops_scan.facts.ci.readers import SYSTEMS, detect_system, read_pipeline

__all__ = ["SYSTEMS", "Job", "Pipeline", "Step", "detect_system", "read_pipeline"]

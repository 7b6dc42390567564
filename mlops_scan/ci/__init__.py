"""CI definitions normalised to pipelines: system, triggers, jobs and the commands their steps run."""

from mlops_scan.ci.model import Job, Pipeline, Step
from mlops_scan.ci.readers import SYSTEMS, detect_system, read_pipeline

__all__ = ["Job", "Pipeline", "Step", "SYSTEMS", "detect_system", "read_pipeline"]

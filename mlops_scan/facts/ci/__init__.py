"""CI definitions normalised to pipelines: system, triggers, jobs and the commands their steps run."""

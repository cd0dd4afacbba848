"""Inference's rules, one module per family of node kinds (``shapes/infer.py`` puts them
together): each module holds one class of rules over :class:`~.base.RuleBase`."""

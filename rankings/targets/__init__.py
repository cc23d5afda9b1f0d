"""Targets (chỉ tiêu kế hoạch) an agency or a province sets itself, and progress against them."""

"""Panhuo (盘活): patent supply-demand matching service."""

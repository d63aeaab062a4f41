"""Makerspace API views, by domain (thin: parse, call one service or selector, render)."""

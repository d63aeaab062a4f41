"""The earlier store front's views, by domain: parse, call the v1 service or selector, render the earlier shape."""

"""Static API diff of MLflow releases (issue #13 part 1): sources, surface policy, griffe diff, result files."""

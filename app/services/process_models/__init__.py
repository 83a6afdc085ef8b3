"""BPMN process models: the catalog, checks before deployment, deployment, diff, the editor and their forms."""

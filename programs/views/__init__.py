"""Views of programs, one module per audience or flow."""

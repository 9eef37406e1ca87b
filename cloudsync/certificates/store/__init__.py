"""All certificate SQL, one module per noun; everything else calls these functions."""

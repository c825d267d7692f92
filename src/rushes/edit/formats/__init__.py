"""Writers and readers of editing-application timeline formats, one module each."""

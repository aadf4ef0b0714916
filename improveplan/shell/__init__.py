"""The project's shell: what composes several apps and so sits above them all
(docs/developers/index.md, "The layers")."""

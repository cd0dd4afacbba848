"""The Lark grammar of LaTeX math (math.lark), shipped as package data of texgrad."""

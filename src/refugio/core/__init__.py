"""The bottom layer every app may import: domain errors and small shared helpers. No models here."""

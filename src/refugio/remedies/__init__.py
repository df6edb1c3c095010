"""Removal orders, in-absentia motions to reopen with their deadlines, drafts and tracking; MPP case status."""

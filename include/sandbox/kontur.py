"""Stand-in for the Kontur.Talk (filled by its pipeline's issue)."""

from fastapi import APIRouter

router = APIRouter()

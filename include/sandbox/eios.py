"""Stand-in for the EIOS (filled by its pipeline's issue)."""

from fastapi import APIRouter

router = APIRouter()

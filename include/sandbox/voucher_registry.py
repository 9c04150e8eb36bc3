"""Stand-in for the voucher registry (filled by its pipeline's issue)."""

from fastapi import APIRouter

router = APIRouter()

SELECT local_date FROM kontur_publication_day
ORDER BY local_date

-- Two demo auctions, open for a while from the time the seeds load. In the local stack the
-- seeds load after the metadata, so the insert trigger gives each an IVS channel (moto) and
-- a close event.
INSERT INTO public.auctions (id, seller_id, title, description, start_time, end_time, start_price, min_increment) VALUES
    ('a1c7e0f2-5b1d-4c3e-9f2a-1b2c3d4e5f60', '4f0c2a8e-6f3b-4d1a-9a6e-2b7c1d9e0a11', 'Vintage film camera',
     'A 1970s rangefinder, serviced, with its leather case', now(), now() + interval '7 days', 120.00, 5.00),
    ('b2d8f1a3-6c2e-4d4f-8a3b-2c3d4e5f6a71', '8b1d7e42-0c5a-4f9e-b3d2-7a6e5c4b3a22', 'Signed first edition',
     'First printing, signed by the author', now(), now() + interval '1 day', 80.00, 2.50)
ON CONFLICT DO NOTHING;

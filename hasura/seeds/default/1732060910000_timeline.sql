-- Seed 004's demo timeline, relative to the time the seed runs: live posts with each
-- lifetime, one already expired (invisible to every role until the sweep deletes it),
-- replies, likes and a conversation between Alice and Bob that Carol cannot see.
INSERT INTO public.posts (id, author_id, text, lifetime, created_at) VALUES
    ('0d6f0a52-1b1e-4b7e-9a10-000000000001', '4f0c2a8e-6f3b-4d1a-9a6e-2b7c1d9e0a11',
     'First light over the bay. Gone in an hour.', 'one_hour', now() - interval '5 minutes'),
    ('0d6f0a52-1b1e-4b7e-9a10-000000000002', '8b1d7e42-0c5a-4f9e-b3d2-7a6e5c4b3a22',
     'Lunch special at the corner place, today only.', 'six_hours', now() - interval '1 hour'),
    ('0d6f0a52-1b1e-4b7e-9a10-000000000003', 'c3e9f1a0-2d4b-4c6e-8f1a-3b5d7e9f1c33',
     'Reading group meets tomorrow at 7.', 'one_day', now() - interval '2 hours'),
    ('0d6f0a52-1b1e-4b7e-9a10-000000000004', '4f0c2a8e-6f3b-4d1a-9a6e-2b7c1d9e0a11',
     'Trip photos are up for the week.', 'one_week', now() - interval '1 day'),
    ('0d6f0a52-1b1e-4b7e-9a10-000000000005', '8b1d7e42-0c5a-4f9e-b3d2-7a6e5c4b3a22',
     'Monthly meetup notes, kept for a month.', 'thirty_days', now() - interval '3 days'),
    ('0d6f0a52-1b1e-4b7e-9a10-000000000006', 'c3e9f1a0-2d4b-4c6e-8f1a-3b5d7e9f1c33',
     'This one has expired: nobody sees it any more.', 'one_hour', now() - interval '2 days')
ON CONFLICT DO NOTHING;

INSERT INTO public.replies (id, post_id, author_id, text) VALUES
    ('1e7a1b63-2c2f-4c8f-8b21-000000000001', '0d6f0a52-1b1e-4b7e-9a10-000000000001',
     '8b1d7e42-0c5a-4f9e-b3d2-7a6e5c4b3a22', 'Beautiful!'),
    ('1e7a1b63-2c2f-4c8f-8b21-000000000002', '0d6f0a52-1b1e-4b7e-9a10-000000000003',
     '4f0c2a8e-6f3b-4d1a-9a6e-2b7c1d9e0a11', 'I will bring the book.')
ON CONFLICT DO NOTHING;

INSERT INTO public.likes (post_id, user_id) VALUES
    ('0d6f0a52-1b1e-4b7e-9a10-000000000001', '8b1d7e42-0c5a-4f9e-b3d2-7a6e5c4b3a22'),
    ('0d6f0a52-1b1e-4b7e-9a10-000000000001', 'c3e9f1a0-2d4b-4c6e-8f1a-3b5d7e9f1c33'),
    ('0d6f0a52-1b1e-4b7e-9a10-000000000004', '8b1d7e42-0c5a-4f9e-b3d2-7a6e5c4b3a22')
ON CONFLICT DO NOTHING;

INSERT INTO public.conversations (id, user_a, user_b) VALUES
    ('2f8b2c74-3d3a-4d9a-9c32-000000000001', '4f0c2a8e-6f3b-4d1a-9a6e-2b7c1d9e0a11',
     '8b1d7e42-0c5a-4f9e-b3d2-7a6e5c4b3a22')
ON CONFLICT DO NOTHING;

INSERT INTO public.messages (id, conversation_id, sender_id, text) VALUES
    ('3a9c3d85-4e4b-4eab-8d43-000000000001', '2f8b2c74-3d3a-4d9a-9c32-000000000001',
     '4f0c2a8e-6f3b-4d1a-9a6e-2b7c1d9e0a11', 'Are you coming to the meetup?'),
    ('3a9c3d85-4e4b-4eab-8d43-000000000002', '2f8b2c74-3d3a-4d9a-9c32-000000000001',
     '8b1d7e42-0c5a-4f9e-b3d2-7a6e5c4b3a22', 'Yes, see you there.')
ON CONFLICT DO NOTHING;

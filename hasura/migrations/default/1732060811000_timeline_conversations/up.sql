-- Seed 004's messaging store: direct messages between two users. A conversation is one
-- unordered pair (the unique index makes (a, b) and (b, a) the same conversation).
CREATE TABLE public.conversations (
    id uuid NOT NULL DEFAULT gen_random_uuid(),
    user_a text NOT NULL,
    user_b text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT conversations_pkey PRIMARY KEY (id),
    CONSTRAINT conversations_user_a_fkey FOREIGN KEY (user_a)
        REFERENCES public.users (id) ON UPDATE CASCADE ON DELETE CASCADE,
    CONSTRAINT conversations_user_b_fkey FOREIGN KEY (user_b)
        REFERENCES public.users (id) ON UPDATE CASCADE ON DELETE CASCADE,
    CONSTRAINT conversations_two_people CHECK (user_a <> user_b)
);
COMMENT ON TABLE public.conversations IS 'A direct-message thread between exactly two users';
COMMENT ON COLUMN public.conversations.user_a IS 'The user who started it';
CREATE UNIQUE INDEX conversations_pair_key
    ON public.conversations (least(user_a, user_b), greatest(user_a, user_b));
CREATE INDEX conversations_user_b_idx ON public.conversations (user_b);

CREATE TABLE public.messages (
    id uuid NOT NULL DEFAULT gen_random_uuid(),
    conversation_id uuid NOT NULL,
    sender_id text NOT NULL,
    text text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT messages_pkey PRIMARY KEY (id),
    CONSTRAINT messages_conversation_id_fkey FOREIGN KEY (conversation_id)
        REFERENCES public.conversations (id) ON UPDATE CASCADE ON DELETE CASCADE,
    CONSTRAINT messages_sender_id_fkey FOREIGN KEY (sender_id)
        REFERENCES public.users (id) ON UPDATE CASCADE ON DELETE CASCADE,
    CONSTRAINT messages_text_length CHECK (char_length(text) BETWEEN 1 AND 2000 AND btrim(text) <> '')
);
COMMENT ON TABLE public.messages IS 'Messages of a conversation, readable by its two participants only';
CREATE INDEX messages_conversation_id_idx ON public.messages (conversation_id, created_at);
CREATE INDEX messages_sender_id_idx ON public.messages (sender_id);

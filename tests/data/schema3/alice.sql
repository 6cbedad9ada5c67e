-- schema version 3, as written by guise 88be810 (see README)
PRAGMA user_version=3; PRAGMA application_id=1735747955;
PRAGMA foreign_keys=OFF;
BEGIN TRANSACTION;
CREATE TABLE meta (
	key TEXT PRIMARY KEY,
	value TEXT NOT NULL
) STRICT;
INSERT INTO meta VALUES('db_id','64eff2c175749b69a0f5070eddbe6fbf');
CREATE TABLE users (
	id TEXT PRIMARY KEY,
	username TEXT NOT NULL UNIQUE,
	email TEXT,
	role TEXT NOT NULL DEFAULT 'user',
	account_status TEXT NOT NULL DEFAULT 'active',
	created_at TEXT NOT NULL,
	updated_at TEXT NOT NULL,
	kdf_alg TEXT NOT NULL,
	kdf_opslimit INTEGER NOT NULL,
	kdf_memlimit INTEGER NOT NULL,
	kek_salt BLOB NOT NULL,
	dek_wrapped BLOB NOT NULL,
	dek_nonce BLOB NOT NULL,
	dek_version INTEGER NOT NULL DEFAULT 1 CHECK (dek_version >= 1),
	recovery_dek_wrapped BLOB,
	recovery_nonce BLOB,
	default_persona_id TEXT REFERENCES user_personas (id) ON DELETE SET NULL,
	CHECK ((recovery_dek_wrapped IS NULL) = (recovery_nonce IS NULL))
) STRICT;
INSERT INTO users VALUES('01a2355d-487e-7039-a92f-f39f12edf0e8','alice',NULL,'user','active','2026-12-02T06:07:15.582Z','2026-12-02T06:07:15.582Z','argon2id13',1,8192,X'11de248c7fd6c8385d8cfd320e9bd361',X'faee4cc9a1d34fd3f03eeb9928746d0211604a14b9a8b0cac65a34b1e7005fa5c410c7c206af255e0f4189f949fc5360',X'332ff543956523bf7eaa9be19de164d98653f8b3d1fd57aa',1,X'10a5ce41e8ebddb9b3f3a38cb6d020f4024db1e87ac137030b3f8f3ceac36ae8f77acad1188dc3f6eba9e67c94418b40',X'bc734c177db267e5061fbc428e8713edd91c98dfbba1b3ad',NULL);
CREATE TABLE characters (
	id TEXT PRIMARY KEY,
	user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	spec TEXT NOT NULL DEFAULT 'chara_card_v3',
	spec_version TEXT NOT NULL DEFAULT '3.0',
	created_at TEXT NOT NULL,
	updated_at TEXT NOT NULL,
	content_hash BLOB,
	origin BLOB,
	origin_nonce BLOB,
	name BLOB,
	name_nonce BLOB,
	description BLOB,
	description_nonce BLOB,
	personality BLOB,
	personality_nonce BLOB,
	scenario BLOB,
	scenario_nonce BLOB,
	first_mes BLOB,
	first_mes_nonce BLOB,
	mes_example BLOB,
	mes_example_nonce BLOB,
	creator_notes BLOB,
	creator_notes_nonce BLOB,
	system_prompt BLOB,
	system_prompt_nonce BLOB,
	post_history_instructions BLOB,
	post_history_instructions_nonce BLOB,
	alternate_greetings BLOB,
	alternate_greetings_nonce BLOB,
	group_only_greetings BLOB,
	group_only_greetings_nonce BLOB,
	tags BLOB,
	tags_nonce BLOB,
	creator BLOB,
	creator_nonce BLOB,
	character_version BLOB,
	character_version_nonce BLOB,
	nickname BLOB,
	nickname_nonce BLOB,
	creator_notes_multilingual BLOB,
	creator_notes_multilingual_nonce BLOB,
	source BLOB,
	source_nonce BLOB,
	assets BLOB,
	assets_nonce BLOB,
	character_book BLOB,
	character_book_nonce BLOB,
	extensions BLOB,
	extensions_nonce BLOB,
	card_raw BLOB,
	card_raw_nonce BLOB,
	avatar BLOB,
	avatar_nonce BLOB, extra BLOB, extra_nonce BLOB
	CHECK ((extra IS NULL) = (extra_nonce IS NULL)),
	CHECK ((origin IS NULL) = (origin_nonce IS NULL)),
	CHECK ((name IS NULL) = (name_nonce IS NULL)),
	CHECK ((description IS NULL) = (description_nonce IS NULL)),
	CHECK ((personality IS NULL) = (personality_nonce IS NULL)),
	CHECK ((scenario IS NULL) = (scenario_nonce IS NULL)),
	CHECK ((first_mes IS NULL) = (first_mes_nonce IS NULL)),
	CHECK ((mes_example IS NULL) = (mes_example_nonce IS NULL)),
	CHECK ((creator_notes IS NULL) = (creator_notes_nonce IS NULL)),
	CHECK ((system_prompt IS NULL) = (system_prompt_nonce IS NULL)),
	CHECK ((post_history_instructions IS NULL) = (post_history_instructions_nonce IS NULL)),
	CHECK ((alternate_greetings IS NULL) = (alternate_greetings_nonce IS NULL)),
	CHECK ((group_only_greetings IS NULL) = (group_only_greetings_nonce IS NULL)),
	CHECK ((tags IS NULL) = (tags_nonce IS NULL)),
	CHECK ((creator IS NULL) = (creator_nonce IS NULL)),
	CHECK ((character_version IS NULL) = (character_version_nonce IS NULL)),
	CHECK ((nickname IS NULL) = (nickname_nonce IS NULL)),
	CHECK ((creator_notes_multilingual IS NULL) = (creator_notes_multilingual_nonce IS NULL)),
	CHECK ((source IS NULL) = (source_nonce IS NULL)),
	CHECK ((assets IS NULL) = (assets_nonce IS NULL)),
	CHECK ((character_book IS NULL) = (character_book_nonce IS NULL)),
	CHECK ((extensions IS NULL) = (extensions_nonce IS NULL)),
	CHECK ((card_raw IS NULL) = (card_raw_nonce IS NULL)),
	CHECK ((avatar IS NULL) = (avatar_nonce IS NULL)),
	UNIQUE (id, user_id)
) STRICT;
INSERT INTO characters VALUES('01a2355d-48f2-7041-a26d-35b07074b782','01a2355d-487e-7039-a92f-f39f12edf0e8','chara_card_v3','3.0','2026-12-02T06:07:15.707Z','2026-12-02T06:07:15.707Z',X'50d3bd9ddfcae87b9d61c53b05abc87155785f6d037166e248105195f631c2a7',NULL,NULL,X'01e858423eeeb0a04394da11f1fe73fa322318c8a4b8d763e604',X'40e440a6743a3baf7c12bd7f7dc346a3ab006f70d84ddb34',X'01971556d8c0f864f9b4c3e92fc9c24ad0b0933b31d6ff9fc233bd0f5e4fe68fa170ad4dbfceccd0d5a786',X'39b4b5bf93019a5791c76e48d8081866cc02f7a1d16222ca',X'0113565fbaf133490e66366e188564c0aa',X'64c8ea0ef037da960d6353bf6dbab123a8fd6186254c7f30',X'01e3a3ff0957c085b8221b2551a5ff6e10',X'b9bcf0cabcf65f924805b9b73da132faa8c7fe05334257f0',X'01d046e453e8d0e3fc05a21642e73edd83ab6e248dc48347ac18267ceee7410e8c29fd5b73c6da3df0d155a2340b59c7536e5974dc00742b36',X'be7814a514c387607a41281b5fade415ec5965b457401661',X'0134524f2aeedeb1b7fc0ec30cb39d1e92',X'ba7d713adee6919887946613fb95da707c5dcfa60870f3a6',X'01b0b9432e8cd76dad607351cc0a4f360c',X'd023d53370ce07fe46d51c9cea2e01f615deed60b77ac5e5',X'01b9760d53a3ebcbfe637d2bba6bcddbe0',X'f32f356a2a9061a38afec8fb41d282673c9912ec0bcc47f7',X'016084c055e292f421172a541afbec2cad',X'3f14227ae11f4384b67e70e19cd93685de2ecc6a14f210ee',X'01409ba823c1ef2be0059246c168954c8ef74f',X'd958abbdf299cadadf47b0cf5a4ff14937cd2841c70d0e36',X'015e95ac3fe8e7e962ac7462ce7bd43feaaac0',X'60eccf29f407a323f40a777e350ede9bbf8aa43b49549998',X'01497eb054802906fcb3fab46995e07255312b',X'98ae49631f6d79a15cffd1d81570a22d18d7d6099d99bc36',X'015bd22dfb87788aa270d23f29decc46f8',X'87e84142fcbb7038898acccb538d1fa2588b09a93e777a13',X'016bfb7346770c8aa4258173388a63a72c',X'398084b0004fdb3d9f9a5e351bdf9179684f4be3f6f8cce6',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,X'01427f5a033889e99b65b51c734b10f2293bfd',X'85495f37394742e52f4b2f8620744d7a71f33aece29fa216',NULL,NULL,NULL,NULL,NULL,NULL);
INSERT INTO characters VALUES('01a2355d-49b3-717d-a25a-776f5f5dacb8','01a2355d-487e-7039-a92f-f39f12edf0e8','chara_card_v3','3.0','2026-12-02T06:07:15.892Z','2026-12-02T06:07:15.892Z',X'd592e286badbab057c5f032e5309427e9417b232e58a57744a8308dc0033a5ac',NULL,NULL,X'01cc2d59de264dc77824784634ef0a92f223d907e07577dd',X'6e4ae0296cd182f381041ee0f8dc8fb0980eb16b98367472',X'01df1929ce7a99608aaa18d1474266313573fa0264f598da',X'9567a13749afa01d10448b37bc789c37b70d6fd0ec19e96e',X'0145cc0271ea2b52fc073b9ba0fd7961e4',X'6b84c2f37c0b5343682aaa07d889200554ead3db358f657a',X'01a234a7274a711bc46e7856c4f1a2b69e',X'2ed810dab43102dce043d6e2e301a5a6e5195c22ea2a85dc',X'01690a0c62ce416069a7645552f18303b4',X'6a1f2718961a3b88cfa79553190431a2f18bb12392ad6d35',X'01b54e37b1b55fac13c718d2ddc766a73b',X'bfd1a584f000c3b9b12eb70b51b4ab30dea326688a5c2401',X'01fe1ac9363820c3d9ab43747d1bb107d0',X'0d500d0bbec70f0a5c87de562727a12a8d6fb09aefd4177d',X'01a78afb868b044611d4458298bafe5680',X'79f8cb10213a59928932d0aba313950145911f75e1789d44',X'01af754e4287639b77b694c2721a035bfe',X'0a0be81ed38952202fd37be369982159c63aa66631a34e09',X'018d20d8785da7d17e15b11b7b9362d3cdd683',X'd7eeb0be5fded1b0b82bb45797ad0ef2ab5a22dd2c416642',X'019830d0c3c04c6b5eac61eacdcc4b8ae62146',X'a78265e967391c34a9f87456391223feeeb15e93133fbc92',X'01cfad02e2fc9fbd8afb72317378d1d3429878',X'0881eaf9ba941226404c46ba338499721073be4304ccb483',X'01e259eb0260c1e1ed3cc2180b37e2bf47',X'fcd82034227ca9ef8d996d617d2d3db2a7da513de2101109',X'01d6b4ca86767e93ad7bd5917e35ec2ca9',X'86d34ae6edc5dbbb3e16657619c5fdbeed1a163b13bd73d7',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,X'01a2af81cfbad9d18bcc792ebabfe4cbc97c42',X'8c4c8885cca405d41370330c67bbb765005f4df68ebe3f78',NULL,NULL,NULL,NULL,NULL,NULL);
CREATE TABLE user_personas (
	id TEXT PRIMARY KEY,
	user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	spec TEXT NOT NULL DEFAULT 'user_persona_spec_v1',
	spec_version TEXT NOT NULL DEFAULT '1.0.0',
	created_at TEXT NOT NULL,
	updated_at TEXT NOT NULL,
	content_hash BLOB,
	origin BLOB,
	origin_nonce BLOB,
	name BLOB,
	name_nonce BLOB,
	description BLOB,
	description_nonce BLOB,
	personality BLOB,
	personality_nonce BLOB,
	scenario BLOB,
	scenario_nonce BLOB,
	first_mes BLOB,
	first_mes_nonce BLOB,
	mes_example BLOB,
	mes_example_nonce BLOB,
	creator_notes BLOB,
	creator_notes_nonce BLOB,
	system_prompt BLOB,
	system_prompt_nonce BLOB,
	post_history_instructions BLOB,
	post_history_instructions_nonce BLOB,
	alternate_greetings BLOB,
	alternate_greetings_nonce BLOB,
	group_only_greetings BLOB,
	group_only_greetings_nonce BLOB,
	tags BLOB,
	tags_nonce BLOB,
	creator BLOB,
	creator_nonce BLOB,
	character_version BLOB,
	character_version_nonce BLOB,
	nickname BLOB,
	nickname_nonce BLOB,
	creator_notes_multilingual BLOB,
	creator_notes_multilingual_nonce BLOB,
	source BLOB,
	source_nonce BLOB,
	assets BLOB,
	assets_nonce BLOB,
	character_book BLOB,
	character_book_nonce BLOB,
	extensions BLOB,
	extensions_nonce BLOB,
	card_raw BLOB,
	card_raw_nonce BLOB,
	avatar BLOB,
	avatar_nonce BLOB,
	position TEXT NOT NULL DEFAULT 'in_prompt'
		CHECK (position IN ('in_prompt', 'at_depth', 'none')),
	depth INTEGER NOT NULL DEFAULT 2 CHECK (depth >= 0),
	role TEXT NOT NULL DEFAULT 'system'
		CHECK (role IN ('system', 'user', 'assistant')), extra BLOB, extra_nonce BLOB
	CHECK ((extra IS NULL) = (extra_nonce IS NULL)),
	CHECK ((origin IS NULL) = (origin_nonce IS NULL)),
	CHECK ((name IS NULL) = (name_nonce IS NULL)),
	CHECK ((description IS NULL) = (description_nonce IS NULL)),
	CHECK ((personality IS NULL) = (personality_nonce IS NULL)),
	CHECK ((scenario IS NULL) = (scenario_nonce IS NULL)),
	CHECK ((first_mes IS NULL) = (first_mes_nonce IS NULL)),
	CHECK ((mes_example IS NULL) = (mes_example_nonce IS NULL)),
	CHECK ((creator_notes IS NULL) = (creator_notes_nonce IS NULL)),
	CHECK ((system_prompt IS NULL) = (system_prompt_nonce IS NULL)),
	CHECK ((post_history_instructions IS NULL) = (post_history_instructions_nonce IS NULL)),
	CHECK ((alternate_greetings IS NULL) = (alternate_greetings_nonce IS NULL)),
	CHECK ((group_only_greetings IS NULL) = (group_only_greetings_nonce IS NULL)),
	CHECK ((tags IS NULL) = (tags_nonce IS NULL)),
	CHECK ((creator IS NULL) = (creator_nonce IS NULL)),
	CHECK ((character_version IS NULL) = (character_version_nonce IS NULL)),
	CHECK ((nickname IS NULL) = (nickname_nonce IS NULL)),
	CHECK ((creator_notes_multilingual IS NULL) = (creator_notes_multilingual_nonce IS NULL)),
	CHECK ((source IS NULL) = (source_nonce IS NULL)),
	CHECK ((assets IS NULL) = (assets_nonce IS NULL)),
	CHECK ((character_book IS NULL) = (character_book_nonce IS NULL)),
	CHECK ((extensions IS NULL) = (extensions_nonce IS NULL)),
	CHECK ((card_raw IS NULL) = (card_raw_nonce IS NULL)),
	CHECK ((avatar IS NULL) = (avatar_nonce IS NULL)),
	UNIQUE (id, user_id)
) STRICT;
INSERT INTO user_personas VALUES('01a2355d-4a5c-7094-8761-a6ec0702c6d1','01a2355d-487e-7039-a92f-f39f12edf0e8','user_persona_spec_v1','1.0.0','2026-12-02T06:07:16.060Z','2026-12-02T06:07:16.060Z',X'fd7b46272e555cda914c9f1cb000d4eb88af854137e54ced84a29a3734f15de0',NULL,NULL,X'01b4d5cfbecdcabdc6cbf4c66c779ad7c3f71ba3fb',X'dca1268b05506aa36741865e074a3b7c041b1b769d8f173a',X'016dfd64b6c2dbd18646796e762f4638c41b3b300e5516e7b063b49505258ea2a10c336fda868834885bde',X'56497cabd2b74f8d20aa8c8b4d34bbda03af39b101338290',X'013ecb007cd8dbfbb6719cbfebf2cbc207',X'23711cffc92bfbd3b56a96e8244798a091951e27bc66eac4',X'01dd1e22e356350b16c8033786c8d74ad0',X'e8a8763035d0c520f1ffc3e3bb30a00ad7e7d77ca28c8f8d',X'01eb0e3593ed6efc4c9f46286f015e1d92',X'5c8473d0e269434116bbdc84ba0e0794e436f28a1b6a834c',X'01d3ba35b0adc7235f50cc621578e927dd',X'e75abe6aa519ae67f571d33af2124614ee524d530a99eb70',X'019e751c422765d11f9d2da1a412f06f7d',X'be36b030eae3870740b523053996e5c13addfcb7aa8063f7',X'01b2e53cfb21e4aec89938086259b65cd3',X'ffde08497f8c2d0817c1740fd42b7e43b4f044dce27d8c8e',X'01cd2635e44c4645e62b47601d7fe27213',X'51891fb17417215cfb5ddb69248f43d7c95b7b9ac557197d',X'013a12fdac1db868198d067c12ed483f3daf70',X'ef29eaa24ad4fb0ec269bd43406d158d5036243b5dd1c0fc',X'019f3b432e1c1689cbaf25adfe91566e0a1f3e',X'57c8e1de18da75cf92aab07d23875964c4b27db04d13df44',X'0191a6b832aff03cd1ec7722578de61d759bab',X'3336cff9e34609c495ce169263937b78506cb37fcaa351a4',X'01d566800de5eb8171b0552eb1b38984a3',X'410d17913257e4cbb2c5c56025fc6a14949e22148f7de0fb',X'0124bee305443fffd23897be212548cc8c',X'ece18adfaa7e6edd6c0a714590bff76357a9e4d9a74c9d32',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,X'0185a8ffa8ad1d5e3e935a6781dac15b37770d',X'a62c454d225f34fe3ac375d3aa1c40ba11768d51d1cfe953',NULL,NULL,NULL,NULL,'in_prompt',2,'system',NULL,NULL);
CREATE TABLE chat_sessions (
	id TEXT PRIMARY KEY,
	user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	character_id TEXT NOT NULL REFERENCES characters (id) ON DELETE RESTRICT,
	title BLOB,
	title_nonce BLOB,
	settings TEXT NOT NULL DEFAULT '{}',
	history_limit INTEGER CHECK (history_limit >= 0),
	context_tokens INTEGER CHECK (context_tokens > 0),
	model_name TEXT,
	created_at TEXT NOT NULL,
	updated_at TEXT NOT NULL,
	active_custom_persona_id TEXT
		REFERENCES user_personas (id) ON DELETE SET NULL,
	active_impersonated_character_id TEXT
		REFERENCES characters (id) ON DELETE SET NULL, stop BLOB, stop_nonce BLOB
	CHECK ((stop IS NULL) = (stop_nonce IS NULL)),
	CHECK ((title IS NULL) = (title_nonce IS NULL)),
	CHECK (active_custom_persona_id IS NULL
	       OR active_impersonated_character_id IS NULL),
	CHECK (active_impersonated_character_id IS NULL
	       OR active_impersonated_character_id <> character_id)
) STRICT;
INSERT INTO chat_sessions VALUES('01a2355d-4af2-706d-8751-a88c918e59b8','01a2355d-487e-7039-a92f-f39f12edf0e8','01a2355d-48f2-7041-a26d-35b07074b782',X'013161ac8e2cb4249926607fbc230d5f17f78cc3d719',X'e223880421a982ed420f4ec3bd50963b45f6783c8c161b4c','{}',NULL,NULL,NULL,'2026-12-02T06:07:16.215Z','2026-12-02T06:07:16.549Z','01a2355d-4a5c-7094-8761-a6ec0702c6d1',NULL,NULL,NULL);
INSERT INTO chat_sessions VALUES('01a2355d-4c93-7169-b27d-5cc68dfab3f7','01a2355d-487e-7039-a92f-f39f12edf0e8','01a2355d-49b3-717d-a25a-776f5f5dacb8',NULL,NULL,'{}',NULL,NULL,NULL,'2026-12-02T06:07:16.627Z','2026-12-02T06:07:16.778Z',NULL,'01a2355d-48f2-7041-a26d-35b07074b782',NULL,NULL);
INSERT INTO chat_sessions VALUES('01a2355d-6dd4-71b1-a84a-12e8ce8ade04','01a2355d-487e-7039-a92f-f39f12edf0e8','01a2355d-49b3-717d-a25a-776f5f5dacb8',NULL,NULL,'{}',NULL,NULL,NULL,'2026-12-02T06:07:25.141Z','2026-12-02T06:07:25.141Z',NULL,NULL,NULL,NULL);
CREATE TABLE chat_messages (
	id TEXT PRIMARY KEY,
	session_id TEXT NOT NULL REFERENCES chat_sessions (id) ON DELETE CASCADE,
	user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	seq INTEGER NOT NULL CHECK (seq >= 1),
	role TEXT NOT NULL CHECK (role IN ('user', 'assistant', 'system')),
	content BLOB,
	content_nonce BLOB,
	speaker_kind TEXT NOT NULL DEFAULT 'none'
		CHECK (speaker_kind IN ('custom', 'impersonated', 'none')),
	speaker_id TEXT,
	speaker_name BLOB,
	speaker_name_nonce BLOB,
	status TEXT NOT NULL DEFAULT 'complete'
		CHECK (status IN ('complete', 'partial')),
	model TEXT,
	input_tokens INTEGER CHECK (input_tokens >= 0),
	output_tokens INTEGER CHECK (output_tokens >= 0),
	created_at TEXT NOT NULL,
	CHECK ((content IS NULL) = (content_nonce IS NULL)),
	CHECK ((speaker_name IS NULL) = (speaker_name_nonce IS NULL)),
	UNIQUE (session_id, seq)
) STRICT;
INSERT INTO chat_messages VALUES('01a2355d-4af9-7098-ac16-b657161f9e41','01a2355d-4af2-706d-8751-a88c918e59b8','01a2355d-487e-7039-a92f-f39f12edf0e8',1,'assistant',X'01648a4b645567a1130b5977343320aa45898471b2c13f7baeb5c982bb72b0023fc8303f1cc01e701603e548d15b2f02dc913f186e9c66e4c0',X'b7111fe7a2515014b7c4c96d0048764fb54b1ee5dfd00f60','custom','01a2355d-4a5c-7094-8761-a6ec0702c6d1',X'01cd80ab100c39f71b4d3e84b97943bbb62ea336ac',X'43054cfabe42381836805b20a616af5ed301343c2a47fd7b','complete',NULL,NULL,NULL,'2026-12-02T06:07:16.217Z');
INSERT INTO chat_messages VALUES('01a2355d-4b8d-7151-b6bb-74ba23a70ad1','01a2355d-4af2-706d-8751-a88c918e59b8','01a2355d-487e-7039-a92f-f39f12edf0e8',2,'user',X'01fd27952c5c7b99d52d88290669f48e672aa4ec7bb01700aad0e7818f',X'0c3a62f5a57af9ee1a51dba8262588f76f61e7c4e9c7a8c0','custom','01a2355d-4a5c-7094-8761-a6ec0702c6d1',X'01a27388216f87aed2fe510632f30b4f1314eef413',X'b40570dee8aa61d4ed17495433bfd9e4ba14e004173d033b','complete',NULL,NULL,NULL,'2026-12-02T06:07:16.365Z');
INSERT INTO chat_messages VALUES('01a2355d-4be9-7134-a596-31dfbf43bae4','01a2355d-4af2-706d-8751-a88c918e59b8','01a2355d-487e-7039-a92f-f39f12edf0e8',3,'assistant',X'017c83097e2d7c306b7d0151c1b2022faa7a34a1503787869a744b81afdc',X'a3dc6a8a5f67b0739c5916f751826fcc6e8adafde745e030','custom','01a2355d-4a5c-7094-8761-a6ec0702c6d1',X'01aab1df1e8bedd91317fc6e4f37a933010b88c42e',X'299ad60296bef313a5576f9bee56741209c89b999434398a','complete',NULL,NULL,NULL,'2026-12-02T06:07:16.457Z');
INSERT INTO chat_messages VALUES('01a2355d-4c45-7181-b00a-6a8cfe7a7a4a','01a2355d-4af2-706d-8751-a88c918e59b8','01a2355d-487e-7039-a92f-f39f12edf0e8',4,'system',X'014476ca83f93c09fd4803ac661d411368f0d7bdc08e788533d760a4e61c03a22e7cf8',X'4d8a5db552e3228c052d8984460ed5a8a810310c312b5643','custom','01a2355d-4a5c-7094-8761-a6ec0702c6d1',X'01e0864adf754d9db71382139508fb8e23d13a0014',X'f8188008a90bdec984b47acc65babf175fc2a4c411624ab5','complete',NULL,NULL,NULL,'2026-12-02T06:07:16.549Z');
INSERT INTO chat_messages VALUES('01a2355d-4d29-70ae-9960-2167d6ece6dd','01a2355d-4c93-7169-b27d-5cc68dfab3f7','01a2355d-487e-7039-a92f-f39f12edf0e8',1,'user',X'0199a8d65c6a8dbeb431348c930f3d76aa9451faa4fd7ccb1d78126da5110fb4',X'f1d74c893dead2cca99a17e613f1c8a56c94c2f536994fb6','impersonated','01a2355d-48f2-7041-a26d-35b07074b782',X'01bb9cf20b5b2754bd4da02dff1c026510b21334955fe35e4f39',X'357005023b5ea6af1b1339ea3aba1352d5ace86c115fa966','complete',NULL,NULL,NULL,'2026-12-02T06:07:16.778Z');
CREATE INDEX characters_by_user ON characters (user_id, content_hash);
CREATE INDEX user_personas_by_user ON user_personas (user_id, content_hash);
CREATE INDEX chat_sessions_by_user ON chat_sessions (user_id);
CREATE INDEX chat_sessions_by_character ON chat_sessions (character_id);
CREATE INDEX chat_sessions_by_persona ON chat_sessions (active_custom_persona_id);
CREATE INDEX chat_sessions_by_impersonated
	ON chat_sessions (active_impersonated_character_id);
CREATE TRIGGER users_default_persona_owner_insert BEFORE INSERT ON users
WHEN NEW.default_persona_id IS NOT NULL AND NOT EXISTS (
	SELECT 1 FROM user_personas p
	WHERE p.id = NEW.default_persona_id AND p.user_id = NEW.id)
BEGIN SELECT RAISE(ABORT, 'default persona belongs to another user'); END;
CREATE TRIGGER users_default_persona_owner_update BEFORE UPDATE ON users
WHEN NEW.default_persona_id IS NOT NULL AND NOT EXISTS (
	SELECT 1 FROM user_personas p
	WHERE p.id = NEW.default_persona_id AND p.user_id = NEW.id)
BEGIN SELECT RAISE(ABORT, 'default persona belongs to another user'); END;
CREATE TRIGGER chat_sessions_owner_insert BEFORE INSERT ON chat_sessions
WHEN NOT EXISTS (
	SELECT 1 FROM characters c
	WHERE c.id = NEW.character_id AND c.user_id = NEW.user_id)
OR (NEW.active_custom_persona_id IS NOT NULL AND NOT EXISTS (
	SELECT 1 FROM user_personas p
	WHERE p.id = NEW.active_custom_persona_id AND p.user_id = NEW.user_id))
OR (NEW.active_impersonated_character_id IS NOT NULL AND NOT EXISTS (
	SELECT 1 FROM characters c
	WHERE c.id = NEW.active_impersonated_character_id
	AND c.user_id = NEW.user_id))
BEGIN SELECT RAISE(ABORT, 'session binds an object of another user'); END;
CREATE TRIGGER chat_sessions_owner_update BEFORE UPDATE ON chat_sessions
WHEN NOT EXISTS (
	SELECT 1 FROM characters c
	WHERE c.id = NEW.character_id AND c.user_id = NEW.user_id)
OR (NEW.active_custom_persona_id IS NOT NULL AND NOT EXISTS (
	SELECT 1 FROM user_personas p
	WHERE p.id = NEW.active_custom_persona_id AND p.user_id = NEW.user_id))
OR (NEW.active_impersonated_character_id IS NOT NULL AND NOT EXISTS (
	SELECT 1 FROM characters c
	WHERE c.id = NEW.active_impersonated_character_id
	AND c.user_id = NEW.user_id))
BEGIN SELECT RAISE(ABORT, 'session binds an object of another user'); END;
CREATE TRIGGER chat_messages_owner_insert BEFORE INSERT ON chat_messages
WHEN NOT EXISTS (
	SELECT 1 FROM chat_sessions s
	WHERE s.id = NEW.session_id AND s.user_id = NEW.user_id)
BEGIN SELECT RAISE(ABORT, 'message belongs to another user than its session'); END;
CREATE TRIGGER chat_messages_owner_update BEFORE UPDATE ON chat_messages
WHEN NOT EXISTS (
	SELECT 1 FROM chat_sessions s
	WHERE s.id = NEW.session_id AND s.user_id = NEW.user_id)
BEGIN SELECT RAISE(ABORT, 'message belongs to another user than its session'); END;
COMMIT;
